from . import models, report, wizard
from .hooks import uninstall_hook
