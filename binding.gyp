{
  "targets": [
    {
      "target_name": "tp_mmap",
      "sources": ["native/tp_mmap.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-Werror", "-D_DEFAULT_SOURCE"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
