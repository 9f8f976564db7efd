"""`cos-installer serve`: the rack's HTTP server (the netboot tree, the answers URL contract),
the install events it collects and the status it shows (JSON, a page, a terminal table).
Only `app` imports aiohttp; the rest is plain Python the tests and `status` use directly."""
