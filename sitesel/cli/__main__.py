"""``python -m sitesel.cli``: the ``sitesel`` command."""

from sitesel.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
