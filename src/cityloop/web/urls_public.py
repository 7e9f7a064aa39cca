"""Public pages: home, sign-in, the citizens' 随手拍, and the map layers every map reads."""

from django.urls import path

from cityloop.web.views import auth, maps, public

urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("report/", public.report, name="report"),
    path("report/done/<str:ticket>/", public.report_done, name="report_done"),
    path("report/track/", public.track, name="report_track"),
    path("report/track/<str:ticket>/", public.report_case, name="report_case"),
    path("report/track/<str:ticket>/rate/", public.report_rate, name="report_rate"),
    path("map/layers/<str:layer>.geojson", maps.map_layer, name="map_layer"),
]
