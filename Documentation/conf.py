# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration for vmview's documentation: `make docs` builds it
# into build/docs/html with Debian's python3-sphinx, warnings as errors.
# The man page of vmview-cli is rendered from vmview-cli.rst separately
# (rst2man, `make install` and the Debian package).

import os
import re

here = os.path.dirname(os.path.abspath(__file__))


def _version():
    with open(os.path.join(here, '..', 'module', 'vmview.h')) as f:
        m = re.search(r'^#define VMVIEW_VERSION "([^"]+)"', f.read(), re.M)
    return m.group(1) if m else 'unknown'


project = 'vmview'
author = 'vmview developers'
copyright = '2026, vmview developers'
version = release = _version()

root_doc = 'index'
source_suffix = '.rst'
exclude_patterns = ['_build']
extensions = []

# Plain Sphinx, nothing fetched: the built-in theme, no external links
# checked, deterministic output.
html_theme = 'alabaster'
html_title = 'vmview %s' % release
html_static_path = []
html_last_updated_fmt = None
html_show_sourcelink = False
highlight_language = 'none'
smartquotes = False
html_copy_source = False
