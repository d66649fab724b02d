"""The organizer console: people and roles, units, and the setup of every contest."""
