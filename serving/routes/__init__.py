"""The API's routes, one module per concern; `serving/app.py` includes them."""
