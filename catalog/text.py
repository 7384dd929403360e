"""Text folding shared by name matching and search: case- and accent-insensitive forms."""

import unicodedata


def fold(text):
    """
    Lower-case ``text`` and strip accents, so that "Schönberg", "SCHONBERG" and "schonberg"
    compare equal; ß becomes ss (``str.casefold``).
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.casefold()


def person_search_names(display_name, sort_name, alternate_names):
    """The folded names of a person, one per line, for the people finder."""
    names = [display_name, sort_name, *(alternate_names or "").splitlines()]
    seen = []
    for name in names:
        folded = fold(name).strip()
        if folded and folded not in seen:
            seen.append(folded)
    return "\n".join(seen)
