# ASan + UBSan for the whole build when EXCHANGE_SANITIZE is on (scripts/test --sanitize).
if(EXCHANGE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
