"""One definition of each security concept, shared by the config checks (components/specs), the
policy pack (policy/rules) and the importers (offline/importers).

Pure functions over plain values: standard library and maintained libraries only, nothing from
components.specs, policy or offline, so every layer can import them without an upward import.
- users: is a container user root (the uid parsed, not spelled)
- secrets: does a name, a value or a command line carry a secret in plain text
- images: where an image comes from and whether its reference can move
- networks: how much of the public address space a set of CIDRs admits
"""
