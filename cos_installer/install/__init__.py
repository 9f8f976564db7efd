"""Putting the payload on a disk: preflight checks, the streamed write, the partition table
held back until the end, and the backends (a real disk, an image file, a dry run).

`pipeline.run_install` is the one install; the front ends (the wizard, `install`) reach it
through the install session.
"""
