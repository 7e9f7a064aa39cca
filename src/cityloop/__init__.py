"""CityLoop 城市管理智慧一体化平台."""

__version__ = "0.1.0"
