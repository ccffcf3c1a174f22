"""`pantau simulate`: a loopback HTTP server speaking each source's real protocol."""
