"""Subcommands of `cos-installer`, one module each.

Each module defines `HELP` (one line), `add_arguments(parser)` and `run(args) -> int`
(0 success, 1 failure, 2 invalid input). Modules import heavy things inside `run`, so that
`cos-installer --help` and the wizard start fast.
"""
