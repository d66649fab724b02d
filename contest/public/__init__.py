"""Public pages: home, notices, language choice, leaderboards, results, certificate checks, API."""
