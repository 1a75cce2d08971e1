"""sitesel: score and rank candidate sites for manufacturing clusters.

Road-network connectivity, terrain and land parcels (or a generated grid) are combined
into suitability rankings and offline-ready HTML maps. The command line (``sitesel run``)
is the main entry point; every stage is also a plain function usable from a notebook.
"""

__version__ = "0.1.0"
