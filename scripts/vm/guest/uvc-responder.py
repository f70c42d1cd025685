#!/usr/bin/env python3
"""uvc-responder.py /dev/videoN — the userspace half of a configfs UVC gadget (f_uvc), just enough for the
host-side uvcvideo driver to probe it as a webcam.

f_uvc connects to the bus only after a program subscribes to its UVC events, and it forwards every
class-specific control request to that program. We subscribe, then answer: GET_INFO with "GET and SET
supported", probe/commit controls of the streaming interface with a plausible structure for the one format
configured by gadget.sh (640x360 YUYV, 30 fps), everything else with zeros; SET requests are accepted.
No video is streamed. Prints "subscribed" once connected."""
import fcntl, os, select, struct, sys

def _ioc(direction, kind, nr, size):
    return (direction << 30) | (size << 16) | (ord(kind) << 8) | nr

IOC_WRITE, IOC_READ = 1, 2
V4L2_EVENT_SIZE = 136                    # struct v4l2_event on x86_64
VIDIOC_SUBSCRIBE_EVENT = _ioc(IOC_WRITE, 'V', 90, 32)
VIDIOC_DQEVENT = _ioc(IOC_READ, 'V', 89, V4L2_EVENT_SIZE)
UVCIOC_SEND_RESPONSE = _ioc(IOC_WRITE, 'U', 1, 64)  # struct uvc_request_data { s32 length; u8 data[60]; }

UVC_EVENT_BASE = 0x08000000              # V4L2_EVENT_PRIVATE_START
EV_CONNECT, EV_DISCONNECT, EV_STREAMON, EV_STREAMOFF, EV_SETUP, EV_DATA = range(UVC_EVENT_BASE, UVC_EVENT_BASE + 6)
GET_INFO = 0x86
VS_PROBE_CONTROL, VS_COMMIT_CONTROL = 1, 2

WIDTH, HEIGHT, INTERVAL = 640, 360, 333333

def streaming_control():
    """UVC 1.1 video probe/commit control (34 bytes); callers truncate to wLength (26 for UVC 1.0)."""
    return struct.pack('<HBBIHHHHHIIIBBBB',
                       1,            # bmHint: dwFrameInterval fixed
                       1, 1,         # bFormatIndex, bFrameIndex
                       INTERVAL, 0, 0, 0, 0, 0,
                       WIDTH * HEIGHT * 2,  # dwMaxVideoFrameSize
                       3072,         # dwMaxPayloadTransferSize
                       48000000, 0, 0, 0, 0)

def answer(fd, request_type, request, value, index, length):
    if request_type & 0x80:              # device-to-host: GET_CUR/MIN/MAX/RES/LEN/INFO/DEF
        entity, selector = index >> 8, value >> 8
        if request == GET_INFO:
            data = b'\x03'
        elif entity == 0 and selector in (VS_PROBE_CONTROL, VS_COMMIT_CONTROL):
            data = streaming_control()
        else:
            data = b''
        data = (data + bytes(length))[:length]
    else:                                # host-to-device (SET_CUR): accept the data stage
        data = bytes(length)
    data = data[:60]
    fcntl.ioctl(fd, UVCIOC_SEND_RESPONSE, struct.pack('<i', len(data)) + data + bytes(60 - len(data)))

def main():
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_NONBLOCK)
    for ev in (EV_SETUP, EV_DATA, EV_STREAMON, EV_STREAMOFF, EV_DISCONNECT):
        fcntl.ioctl(fd, VIDIOC_SUBSCRIBE_EVENT, struct.pack('8I', ev, 0, 0, 0, 0, 0, 0, 0))
    print('subscribed', flush=True)
    poller = select.poll()
    poller.register(fd, select.POLLPRI)
    while True:
        poller.poll()
        event = bytearray(V4L2_EVENT_SIZE)
        try:
            fcntl.ioctl(fd, VIDIOC_DQEVENT, event)
        except OSError:
            continue
        kind, = struct.unpack_from('I', event, 0)
        if kind != EV_SETUP:
            continue
        # the union starts at offset 8; for SETUP it holds struct usb_ctrlrequest
        request_type, request, value, index, length = struct.unpack_from('<BBHHH', event, 8)
        try:
            answer(fd, request_type, request, value, index, length)
        except OSError as e:
            print('send_response failed:', e, flush=True)

if __name__ == '__main__':
    main()
