"""The clinical core stays pure: no Django, no project adapters."""

import subprocess
import sys


def test_importing_the_core_loads_no_django_module():
    """A fresh interpreter that imports every core module has no django module loaded."""
    code = (
        "import pkgutil, sys, benzodetox.core as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'benzodetox.core.'):\n"
        "    __import__(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('django', 'ninja'))\n"
        "bad += sorted(n for n in sys.modules if n.startswith('benzodetox.')"
        " and not n.startswith('benzodetox.core'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
