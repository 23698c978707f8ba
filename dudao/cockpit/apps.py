from django.apps import AppConfig


class CockpitConfig(AppConfig):
    name = "dudao.cockpit"
    label = "cockpit"
    verbose_name = "领导驾驶舱"

    def ready(self) -> None:
        from dudao.audit.actions import register

        for code, label in (
            ("cockpit.tile_set", "设置县区方块图位置"),
            ("cockpit.tile_delete", "移除县区方块图位置"),
            ("cockpit.outline_upload", "上传行政区划轮廓（GeoJSON）"),
            ("cockpit.outline_retire", "停用行政区划轮廓"),
        ):
            register(code, label)
