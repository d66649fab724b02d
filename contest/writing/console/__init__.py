"""The writing console: contests, categories, jury, entries and exports, under /organizer/."""
