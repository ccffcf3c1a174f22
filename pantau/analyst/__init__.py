"""The analyst library: everything that reads the published analyst copy for a person.

- ``connection``: the hardened read-only connection (``connect_analyst``) every command uses,
  and ``run_sql`` with its one-line refusals;
- ``views``: the analyst views as the SQL headers (``models.catalogue``) and the copy describe
  them, and the data dictionary;
- ``writers`` and ``excel``: results as csv, json, parquet or an Excel workbook;
- ``inspectorates``: each inspectorate's e-pengaduan PBJ status and history;
- ``regions``: a watched region's name or a K/L/PD code to a ``RegionRef``;
- ``exports``: an analyst view or core's OCDS releases, filtered, for ``pantau export``;
- ``explain``: how a flag or metric is defined and the rows behind it;
- ``report``: a region's scorecard as one HTML file (template and CSS in ``templates/``);
- ``followup``: the report's follow-up section, from the published ``cases`` tables;
- ``svgchart``: the report's inline SVG charts.

The commands in ``pantau/commands/`` parse their arguments, call this library and print; the
web workbench (``pantau.web``) takes it through ``pantau.web.library``.
"""
