{
  "targets": [{
    "target_name": "ecgssl_dnnl",
    "sources": ["src/addon.cc", "src/fftconv.cc"],
    "include_dirs": ["../fftconv"],
    "cflags_cc": ["-O3", "-march=native", "-std=c++17", "-fexceptions", "-fopenmp", "-fno-trapping-math"],
    "cflags_cc!": ["-fno-exceptions"],
    "libraries": ["-ldnnl", "-fopenmp"],
    "conditions": [
      ["OS=='mac'", {
        "include_dirs": ["/opt/homebrew/include", "/usr/local/include", "/opt/homebrew/opt/onednn/include", "/opt/homebrew/opt/libomp/include"],
        "libraries": ["-L/opt/homebrew/lib", "-L/usr/local/lib", "-L/opt/homebrew/opt/onednn/lib", "-L/opt/homebrew/opt/libomp/lib"],
        "xcode_settings": {
          "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
          "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
          "OTHER_CPLUSPLUSFLAGS": ["-O2", "-Xpreprocessor", "-fopenmp", "-fno-trapping-math"]
        }
      }]
    ]
  }]
}
