"""Rich menus: definitions as data (menus.toml, definitions.py), images drawn with Pillow in
Sarabun with raqm layout (render.py, icons.py), LINE's image rules (rules.py) and the sync's plan
(plan.py). Pure: the calls to LINE and the database are in bot/line/richmenu_sync.py and
bot/line/richmenu_link.py."""
