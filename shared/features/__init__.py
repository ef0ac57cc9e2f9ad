"""The operations, one module per feature: logins, custom data, characters, shared groups, objects, profiles."""
