"""A synthetic Kota Mataram HR world: people, careers, evaluations and a ground truth.

The world is simulated year by year so that its records carry the biases of real ones:
transfers are partly driven by need and partly by fit (each person's outcome is seen only
where they were placed), people retire at BUP and are hired each year (PPPK from 2021),
competencies are assessed now and then and with error, and every score is noisy.

presets (sizes) -> people (population) -> state -> staffing -> simulation -> records ->
writer (`penataan generate`); outcome and scenarios hold the causal model.
"""
