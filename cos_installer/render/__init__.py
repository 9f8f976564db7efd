"""From an `InstallConfig` to the text the installed system reads: the cloud-config (from the
Jinja2 templates), its checker (coreos-cloudinit's rules plus ours), and the next steps."""
