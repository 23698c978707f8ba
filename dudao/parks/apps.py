from django.apps import AppConfig


class ParksConfig(AppConfig):
    name = "dudao.parks"
    label = "parks"
    verbose_name = "产业集聚区"

    def ready(self) -> None:
        from dudao.audit.actions import register

        for code, label in (
            ("parks.park.create", "新建园区"),
            ("parks.park.update", "修改园区"),
            ("parks.park.import", "导入园区"),
            ("parks.status.add", "登记园区状态"),
            ("parks.industries.set", "设置园区产业"),
        ):
            register(code, label)
