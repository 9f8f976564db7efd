"""What is to be installed: the answers document, the fleet file and their validation.

`document.from_mapping` turns a nested answers mapping (from a file, a fleet entry or the
wizard) into the one `model.InstallConfig`; every field has one validator in `validate`.
Depends on nothing else of the installer but i18n and the hardware types it matches against.
"""
