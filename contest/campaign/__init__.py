"""The campaign site: the organizing body, news, the materials library and the showcase of
winning works, with the organizer's console for them under /organizer/campaign/."""
