# Day first, as people write dates here: "02/12/2026", "02/12/2026 04:42" (and the zone); the
# decimal comma and the rest come from Django's own formats for the language.
DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
