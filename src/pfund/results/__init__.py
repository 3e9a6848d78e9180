"""Results engines (issue 15): sampling, verification, payment by results, learning.

Pure computation on domain objects and numpy arrays, like the other engines: nothing here
imports the store, the services or the web. The stored side (indicators, partner reports,
pages) calls these.
"""
