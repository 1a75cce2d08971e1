"""The dossier (`sitesel report`): one printable page a site."""
