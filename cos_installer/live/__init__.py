"""The live system around the installer: the kernel command line, the network it brings up
to fetch answers, and which console gets the wizard."""
