"""Ways in for real clients: portals (OAuth2 client credentials), applicants (SMS code,
WeChat mini-program), staff (password); access + rotating refresh tokens; rate limits."""
