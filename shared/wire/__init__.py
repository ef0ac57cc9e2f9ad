"""The wire: PlayFab's error codes and envelopes, JSON text, request models and their validation messages."""
