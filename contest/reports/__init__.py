"""Campaign-level reports: the dashboard, printable summaries, unit reports, coordinators."""
