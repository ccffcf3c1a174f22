"""One module per `pantau` subcommand; each has register(subparsers)."""
