"""Importing a BKPSDM's SIASN/SIMPEG/e-Kinerja exports into the data contract."""
