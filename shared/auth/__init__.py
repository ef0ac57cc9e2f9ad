"""Who is calling: tokens, the caller a request's credentials name, client addresses, accounts and entities."""
