"""Readable names of the ISO 639-1 language codes that catalogs use ("fr" -> "French").

Apart from :mod:`recommender.summary` because the recommender page's language filter
needs them and that page does not load pandas.
"""

# ISO 639-1 codes of the languages most common in TMDB-style catalogs; any other code
# is shown as itself.
LANGUAGE_NAMES: dict[str, str] = {
    "ar": "Arabic", "cn": "Cantonese", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian",
    "is": "Icelandic", "it": "Italian", "ja": "Japanese", "ko": "Korean", "nb": "Norwegian",
    "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sv": "Swedish", "ta": "Tamil", "te": "Telugu", "th": "Thai",
    "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese", "xx": "No language", "zh": "Mandarin",
}


def language_name(code: str) -> str:
    """A readable name for an ISO 639-1 code ("fr" -> "French"); unknown codes as given."""
    return LANGUAGE_NAMES.get(code, code)
