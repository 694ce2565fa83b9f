"""What a password must be: at least 12 characters, at most 256, and not guessable.

Guessability is zxcvbn's estimate (dwolfhub/zxcvbn-python), told the user's name and e-mail and a
few words every Dutch guesser tries first; a password it rates below 4 (fewer than 10^10 guesses)
is refused with the reason.
"""

import re
import threading

from flask_babel import gettext as _
from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
MIN_SCORE = 4
# zxcvbn refuses longer input; a prefix this long that is guessable makes the whole so too.
_ESTIMATE_CHARS = 72
# Words a Dutch attacker tries first (zxcvbn's own dictionaries are English).
DUTCH_WORDS = ("welkom", "wachtwoord", "geheim", "zomer", "winter", "lente", "herfst", "voorjaar",
               "najaar", "meldkamer", "meldkamers", "politie", "brandweer", "ambulance",
               "marechaussee", "risico", "risicoregister", "register", "lms", "veiligheid",
               "nederland", "amsterdam", "rotterdam", "denhaag", "utrecht", "januari", "februari",
               "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
               "november", "december", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag",
               "zaterdag", "zondag", "hallo", "test", "beheer", "beheerder", "admin", "gebruiker")
# zxcvbn keeps the user's words in a module-level dictionary: one estimate at a time.
_lock = threading.Lock()


def _personal_words(email: str, name: str) -> list[str]:
    words = [email, name, *re.split(r"[^\w]+", f"{email} {name}")]
    return [w for w in words if len(w) >= 3]


def _plain(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _leans_on_person(password: str, email: str, name: str) -> bool:
    """The password is the user's name or e-mail name with fewer than 8 characters added."""
    plain = _plain(password)
    candidates = {_plain(email.split("@")[0]), _plain(name),
                  *(_plain(w) for w in re.split(r"[^\w]+", f"{email.split('@')[0]} {name}"))}
    return any(len(c) >= 4 and c in plain and len(plain) - len(c) < 8 for c in candidates)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` will not do (in the current language), or None when it will."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Het wachtwoord moet minstens %(num)d tekens hebben.", num=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Het wachtwoord mag hoogstens %(num)d tekens hebben.", num=MAX_PASSWORD_LENGTH)
    if _leans_on_person(password, email, name):
        return _("Dit wachtwoord is te makkelijk te raden: %(why)s. Kies een langere zin van "
                 "gewone woorden die niet bij elkaar horen.",
                 why=_("het bevat uw naam of e-mailadres"))
    with _lock:
        result = zxcvbn(password[:_ESTIMATE_CHARS],
                        user_inputs=[*_personal_words(email, name), *DUTCH_WORDS])
    if result["score"] >= MIN_SCORE:
        return None
    patterns = {m.get("pattern") for m in result["sequence"]}
    dictionaries = {m.get("dictionary_name") for m in result["sequence"]}
    if "user_inputs" in dictionaries and (
            any(w.lower() in password.lower() for w in _personal_words(email, name))):
        why = _("het bevat uw naam of e-mailadres")
    elif dictionaries & {"passwords", "user_inputs"}:
        why = _("het is (bijna) een veelgebruikt wachtwoord of woord")
    elif patterns & {"sequence", "repeat", "spatial"}:
        why = _("het bestaat uit een reeks, herhaling of toetsenbordpatroon")
    elif "date" in patterns:
        why = _("het leunt op een datum of jaartal")
    else:
        why = _("het bestaat uit veelgebruikte woorden en tekens")
    return _("Dit wachtwoord is te makkelijk te raden: %(why)s. Kies een langere zin van "
             "gewone woorden die niet bij elkaar horen.", why=why)
