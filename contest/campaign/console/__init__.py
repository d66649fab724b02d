"""The campaign console: site settings, news, materials and featured items, under
/organizer/campaign/."""
