"""`pantau serve`: the web workbench (issue 17)."""
