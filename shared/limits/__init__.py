"""Request rate limits: per player or entity in the store, per client address in memory."""
