"""pantau: procurement-transparency monitoring for Indonesian civil-society watchdogs."""
