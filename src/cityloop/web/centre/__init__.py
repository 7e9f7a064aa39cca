"""The command centre 指挥中心: the leaders' and dispatchers' big screen.

Reads only (no writes): ``access`` (who may see it), ``figures`` (key figures, charts, the
worst overdue cases), ``mapdata`` (open cases on the map, clustered on the server, and the
boundary layers). Every read starts from ``Case.objects.visible_to(user)``. Definitions of the
figures: docs/web.md, "Command centre".
"""
