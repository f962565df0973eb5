"""The web front door's Flask blueprints: media files and a person's own-data downloads."""
