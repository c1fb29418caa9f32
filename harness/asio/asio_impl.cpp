// The one translation unit that holds the compiled bodies of Asio, Asio.SSL and Beast.
// Everything else includes their headers with *_SEPARATE_COMPILATION defined and links this.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
