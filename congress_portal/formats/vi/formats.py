# Vietnamese pages write dates exactly as the English ones do: dd/mm/yyyy (en/formats.py).
from congress_portal.formats.en.formats import *  # noqa: F401,F403
