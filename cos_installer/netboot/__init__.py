"""Installing over the network: the OS image streamed over HTTP, answers looked up by the
machine's identity, and the static tree (`netboot export`) the site's dnsmasq and nginx serve.

`httpstream` uses only the standard library: the install pipeline imports it, and nothing here
imports the install pipeline.
"""
