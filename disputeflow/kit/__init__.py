"""The plugin kit: ``disputeflow plugin new NAME`` writes a marketplace plugin to start from.

The templates are data (``templates/**/*.tmpl``), shipped inside the wheel; the code they
become imports only the public ``disputeflow`` API and the conformance kit.
"""

from __future__ import annotations

from disputeflow.kit.writer import SIGNATURE_SCHEMES, PluginNames, write_plugin

__all__ = ["SIGNATURE_SCHEMES", "PluginNames", "write_plugin"]
