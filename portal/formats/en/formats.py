# How Gemba writes a day and a moment in English: "2 Dec 2026", "2 Dec 2026, 04:42" (and the zone).
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
