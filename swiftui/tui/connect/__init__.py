"""Start-up: pick credentials, ask the password, log in. Imports only widgets."""
