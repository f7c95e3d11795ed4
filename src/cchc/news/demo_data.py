"""Articles written for the demo portal (original texts; names of people are invented).

Each: (unit key, category slug, local time "YYYY-MM-DD HH:MM", title, summary, paragraphs,
author, photo credit, tags, image key or "", image caption). Some units post often, some
rarely (Huyện Tam Nông, Huyện Tân Hồng, Xã Tam Nông), as the inspection found.
"""

P87, P82 = "pre2025:87", "2025:82"
HN_CITY, HN_DIST, TAN_HONG, TAM_NONG = "pre2025:868", "pre2025:870", "pre2025:869", "pre2025:871"
W_HONG_NGU, X_TAN_HONG, X_TAM_NONG = "2025:29955", "2025:29926", "2025:30010"

ARTICLES = [
    (P87, "van-ban-chi-dao-dieu-hanh", "2022-01-12 08:30",
     "Kế hoạch cải cách hành chính năm 2022 của tỉnh",
     "UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2022 với 6 nhóm nhiệm vụ trọng tâm, "
     "giao chỉ tiêu cụ thể cho từng sở, ngành và địa phương.",
     ["Kế hoạch xác định cải cách thủ tục hành chính, nâng chất lượng giải quyết hồ sơ theo cơ chế "
      "một cửa, một cửa liên thông là nhiệm vụ xuyên suốt. Mỗi cơ quan phải rà soát, đề xuất đơn "
      "giản hóa ít nhất hai thủ tục trong năm.",
      "Sở Nội vụ được giao theo dõi, đôn đốc và tổ chức kiểm tra công tác cải cách hành chính tại "
      "ít nhất một phần ba số đơn vị cấp huyện trong năm."],
     "Thu Hà", "", ["kế hoạch", "cải cách hành chính"], "", ""),
    (P87, "tin-hoat-dong", "2022-03-22 15:00",
     "Tập huấn nghiệp vụ một cửa cho cán bộ cấp xã",
     "Hơn 180 cán bộ làm việc tại Bộ phận Tiếp nhận và Trả kết quả cấp xã được tập huấn về quy "
     "trình tiếp nhận, số hóa hồ sơ và trả kết quả.",
     ["Trong hai ngày, học viên được hướng dẫn cách kiểm tra thành phần hồ sơ, lập phiếu hẹn trả và "
      "cập nhật trạng thái trên Hệ thống thông tin giải quyết thủ tục hành chính.",
      "Báo cáo viên lưu ý việc gửi phiếu xin lỗi và hẹn lại ngày trả khi hồ sơ quá hạn, một nội dung "
      "nhiều nơi còn làm chưa đúng."],
     "Minh Tâm", "Ngọc Ánh", ["một cửa", "tập huấn"], "training", "Quang cảnh lớp tập huấn"),
    (P87, "kiem-tra-cchc", "2022-08-16 17:10",
     "Thông qua kết quả kiểm tra cải cách hành chính tại ba huyện và một thành phố",
     "Đoàn kiểm tra của Sở Nội vụ thông qua kết quả kiểm tra tại Huyện Hồng Ngự, Huyện Tân Hồng, "
     "Huyện Tam Nông và Thành phố Hồng Ngự qua hội nghị trực tuyến nhiều điểm cầu.",
     ["Các đơn vị đã ban hành kế hoạch cải cách hành chính, công khai thủ tục đúng quy định và quản lý "
      "sổ hộ tịch sạch sẽ. Tuy nhiên, vẫn còn hồ sơ trễ hạn trên phần mềm một cửa và việc đăng tin "
      "cải cách hành chính trên trang thông tin điện tử chưa thường xuyên.",
      "Đoàn đề nghị các đơn vị khắc phục, giao Phòng Nội vụ theo dõi và báo cáo kết quả về Sở Nội vụ."],
     "Thanh Tùng", "Văn Minh", ["kiểm tra", "kết quả kiểm tra"], "meeting",
     "Hội nghị trực tuyến thông qua kết quả kiểm tra"),
    (P87, "chuyen-doi-so", "2023-05-09 09:00",
     "Cổng dịch vụ công của tỉnh đạt hơn 70% hồ sơ trực tuyến",
     "Trong 4 tháng đầu năm, tỷ lệ hồ sơ nộp trực tuyến toàn trình trên Cổng dịch vụ công của tỉnh "
     "đạt hơn 70%, tăng mạnh so với cùng kỳ.",
     ["Các thủ tục có nhiều hồ sơ trực tuyến nhất là cấp phiếu lý lịch tư pháp, đăng ký hộ kinh "
      "doanh và cấp giấy phép lái xe đổi.",
      "Sở Thông tin và Truyền thông khuyến nghị người dân sử dụng tài khoản định danh điện tử để nộp "
      "hồ sơ, không phải khai lại thông tin đã có."],
     "Quốc Bảo", "", ["dịch vụ công trực tuyến", "chuyển đổi số"], "laptop",
     "Người dân được hướng dẫn nộp hồ sơ trực tuyến"),
    (P87, "tuyen-truyen-cchc", "2024-02-20 10:00",
     "Phát động cuộc thi tìm hiểu cải cách hành chính năm 2024",
     "Cuộc thi trực tuyến dành cho cán bộ, công chức và người dân, mở trong 8 tuần với các câu hỏi "
     "về thủ tục hành chính và dịch vụ công.",
     ["Mỗi tuần có 20 câu hỏi trắc nghiệm và một câu hỏi dự đoán. Ban tổ chức trao giải tuần và "
      "giải chung cuộc cho tập thể có nhiều người tham gia.",
      "Cuộc thi nhằm giúp người dân biết quyền được công khai thủ tục, được hẹn trả và được xin lỗi "
      "khi hồ sơ trễ hạn."],
     "Thu Hà", "", ["tuyên truyền", "cuộc thi"], "", ""),
    (P87, "tin-hoat-dong", "2025-04-15 14:30",
     "Chuẩn bị bàn giao hồ sơ một cửa khi sắp xếp đơn vị hành chính",
     "Sở Nội vụ hướng dẫn các huyện rà soát hồ sơ đang giải quyết để bàn giao cho xã, phường mới "
     "trước ngày 01/7/2025.",
     ["Hồ sơ đang giải quyết được lập danh sách, ghi rõ thời hạn còn lại và đơn vị tiếp nhận sau sắp "
      "xếp. Sổ hộ tịch được niêm phong, bàn giao theo biên bản.",
      "Người dân không phải nộp lại hồ sơ đã nộp trước ngày sắp xếp."],
     "Văn Minh", "", ["sắp xếp đơn vị hành chính", "một cửa"], "", ""),
    (HN_CITY, "tin-hoat-dong", "2022-02-10 09:15",
     "Thành phố Hồng Ngự ra mắt quầy hướng dẫn nộp hồ sơ trực tuyến",
     "Bộ phận một cửa thành phố bố trí quầy riêng có máy tính và nhân viên hướng dẫn người dân nộp "
     "hồ sơ trực tuyến.",
     ["Quầy mở cả sáng thứ Bảy. Người dân được hỗ trợ tạo tài khoản, chụp giấy tờ và theo dõi hồ "
      "sơ trên điện thoại."],
     "Kim Yến", "Hoàng Nam", ["dịch vụ công trực tuyến"], "desk", "Quầy hướng dẫn nộp hồ sơ trực tuyến"),
    (HN_CITY, "tin-hoat-dong", "2022-06-28 16:00",
     "Thành phố Hồng Ngự đối thoại với doanh nghiệp về thủ tục đất đai",
     "Lãnh đạo thành phố trả lời 14 ý kiến của doanh nghiệp về thời gian giải quyết thủ tục đất đai "
     "và xây dựng.",
     ["Thành phố cam kết rút ngắn một phần ba thời gian cấp giấy phép xây dựng nhà ở riêng lẻ và "
      "công khai tiến độ từng hồ sơ."],
     "Văn Phúc", "", ["đối thoại", "đất đai"], "", ""),
    (HN_CITY, "kiem-tra-cchc", "2022-09-05 10:00",
     "Thành phố Hồng Ngự khắc phục hạn chế sau kiểm tra cải cách hành chính",
     "Thành phố ban hành kế hoạch khắc phục các hạn chế mà đoàn kiểm tra của Sở Nội vụ nêu, trong đó "
     "có việc đăng tin cải cách hành chính thường xuyên.",
     ["Mỗi phòng chuyên môn cử một người viết tin; trang thông tin của thành phố đăng tối thiểu hai "
      "bài mỗi tháng. Phòng Nội vụ theo dõi và báo cáo hằng quý."],
     "Thị Diễm", "", ["khắc phục", "kiểm tra"], "", ""),
    (HN_CITY, "tuyen-truyen-cchc", "2023-03-14 08:00",
     "Phát thanh về thủ tục đăng ký khai sinh trên hệ thống loa phường",
     "Chuyên mục phát thanh hằng tuần giới thiệu cách đăng ký khai sinh, thường trú và cấp thẻ bảo "
     "hiểm y tế cho trẻ dưới 6 tuổi qua một lần nộp.",
     ["Nội dung được đọc vào sáng thứ Hai và thứ Năm trên loa của các phường, xã."],
     "Thị Diễm", "", ["hộ tịch", "liên thông"], "", ""),
    (HN_CITY, "tin-hoat-dong", "2023-11-20 09:00",
     "Thành phố Hồng Ngự trả kết quả đúng hạn 98% hồ sơ",
     "Mười tháng năm 2023, bộ phận một cửa thành phố tiếp nhận hơn 9.000 hồ sơ, trả đúng và trước hạn "
     "98%, số hồ sơ trễ hạn giảm một nửa so với năm trước.",
     ["Các hồ sơ trễ hạn chủ yếu thuộc lĩnh vực đất đai do phải xác minh nguồn gốc. Thành phố đã gửi "
      "phiếu xin lỗi và hẹn lại ngày trả cho tất cả các trường hợp."],
     "Kim Yến", "Minh Tâm", ["một cửa", "đúng hạn"], "chart", "Tỷ lệ hồ sơ đúng hạn theo tháng"),
    (HN_CITY, "chuyen-doi-so", "2024-06-03 15:30",
     "Số hóa kết quả giải quyết thủ tục hành chính tại Thành phố Hồng Ngự",
     "Thành phố hoàn thành số hóa kết quả giải quyết thủ tục còn hiệu lực của 5 năm gần nhất.",
     ["Kết quả đã số hóa được dùng lại khi người dân làm thủ tục khác, không phải nộp bản sao."],
     "Minh Tâm", "", ["số hóa"], "", ""),
    (HN_CITY, "tin-hoat-dong", "2025-05-21 10:45",
     "Thành phố Hồng Ngự tổng kết công tác cải cách hành chính trước khi sắp xếp",
     "Thành phố tổng kết giai đoạn 2020-2025 và bàn giao dữ liệu một cửa cho các phường mới.",
     ["Trong 5 năm, thành phố giải quyết hơn 45.000 hồ sơ, tỷ lệ hài lòng của người dân đạt trên 95%."],
     "Thị Diễm", "Hoàng Nam", ["tổng kết"], "meeting", "Hội nghị tổng kết"),
    (HN_DIST, "tin-hoat-dong", "2022-04-18 09:30",
     "Huyện Hồng Ngự đưa vào sử dụng phần mềm đánh giá mức độ hài lòng",
     "Người dân đánh giá thái độ phục vụ ngay tại quầy bằng máy tính bảng sau khi nhận kết quả.",
     ["Kết quả đánh giá được tổng hợp hằng tháng và là một tiêu chí bình xét thi đua của cán bộ "
      "một cửa."],
     "Thanh Hải", "", ["mức độ hài lòng"], "", ""),
    (HN_DIST, "tuyen-truyen-cchc", "2023-09-12 08:00",
     "Huyện Hồng Ngự tuyên truyền cải cách hành chính qua mạng xã hội",
     "Trang mạng xã hội của huyện đăng hướng dẫn thủ tục dưới dạng hình ảnh ngắn, dễ đọc trên điện "
     "thoại.",
     ["Mỗi tuần một thủ tục được giới thiệu: hồ sơ cần có, thời hạn giải quyết và lệ phí."],
     "Thanh Hải", "", ["tuyên truyền", "mạng xã hội"], "", ""),
    (HN_DIST, "tin-hoat-dong", "2024-12-10 14:00",
     "Huyện Hồng Ngự giảm hồ sơ trễ hạn trong lĩnh vực đất đai",
     "Sau khi rà soát quy trình nội bộ, số hồ sơ đất đai trễ hạn của huyện giảm từ 7% xuống dưới 2%.",
     ["Huyện phân công lãnh đạo theo dõi hồ sơ sắp đến hạn mỗi ngày và nhắc việc qua phần mềm."],
     "Thanh Hải", "Văn Lộc", ["đất đai", "trễ hạn"], "chart", "Hồ sơ trễ hạn giảm qua từng quý"),
    (TAN_HONG, "tin-hoat-dong", "2022-05-06 10:00",
     "Huyện Tân Hồng kiện toàn Bộ phận Tiếp nhận và Trả kết quả",
     "Huyện bổ sung hai công chức cho bộ phận một cửa và sửa chữa khu vực chờ cho người dân.",
     ["Khu vực chờ có ghế ngồi, nước uống và bảng niêm yết thủ tục cập nhật."],
     "Ngọc Trinh", "", ["một cửa"], "", ""),
    (TAN_HONG, "tin-hoat-dong", "2023-10-02 09:00",
     "Tân Hồng hướng dẫn người dân biên giới nộp hồ sơ trực tuyến",
     "Tổ công tác của huyện về các ấp giáp biên giới hướng dẫn người dân cài đặt ứng dụng định danh "
     "điện tử và nộp hồ sơ trực tuyến.",
     ["Tổ công tác hỗ trợ hơn 300 lượt người trong một tháng."],
     "Ngọc Trinh", "Thành Công", ["dịch vụ công trực tuyến"], "laptop", "Hướng dẫn người dân tại ấp"),
    (TAM_NONG, "tin-hoat-dong", "2022-07-19 08:30",
     "Huyện Tam Nông niêm yết lại thủ tục hành chính tại các xã",
     "Huyện rà soát, niêm yết lại danh mục thủ tục hành chính cấp xã theo quyết định công bố mới "
     "của tỉnh.",
     ["Các xã phải gỡ bỏ thủ tục hết hiệu lực và niêm yết đủ mã QR để người dân tra cứu."],
     "Hữu Phước", "", ["niêm yết"], "", ""),
    (P82, "van-ban-chi-dao-dieu-hanh", "2025-07-02 08:00",
     "Tỉnh Đồng Tháp mới vận hành Trung tâm Phục vụ hành chính công từ ngày 01/7/2025",
     "Sau sắp xếp, tỉnh vận hành Trung tâm Phục vụ hành chính công tỉnh và tại 102 xã, phường.",
     ["Người dân có thể nộp hồ sơ tại bất kỳ điểm phục vụ nào trong tỉnh đối với các thủ tục không "
      "phụ thuộc địa giới hành chính.",
      "Các xã, phường mới công khai đường dây nóng để tiếp nhận phản ánh trong những ngày đầu vận "
      "hành."],
     "Mỹ Linh", "Thanh Tùng", ["chính quyền hai cấp", "trung tâm phục vụ hành chính công"], "building",
     "Trung tâm Phục vụ hành chính công ngày đầu vận hành"),
    (P82, "van-ban-chi-dao-dieu-hanh", "2025-08-05 09:00",
     "UBND tỉnh ban hành ngưỡng đăng tin cải cách hành chính của các đơn vị",
     "Mỗi đơn vị đăng tối thiểu hai tin cải cách hành chính mỗi tháng và không để quá 30 ngày không "
     "có tin mới trên cổng tin của tỉnh.",
     ["Sở Nội vụ theo dõi hoạt động đăng tin trên cổng và dùng số liệu này khi kiểm tra, chấm điểm "
      "chỉ số cải cách hành chính."],
     "Thu Hà", "", ["cổng tin", "chỉ số cải cách hành chính"], "", ""),
    (P82, "tin-hoat-dong", "2025-09-18 15:00",
     "Hội nghị sơ kết ba tháng vận hành chính quyền địa phương hai cấp",
     "Tỷ lệ hồ sơ giải quyết đúng hạn của các xã, phường đạt 96%; nhiều nơi còn thiếu công chức "
     "có chuyên môn đất đai.",
     ["Tỉnh điều động công chức từ các sở về hỗ trợ các xã có nhiều hồ sơ tồn đọng."],
     "Mỹ Linh", "Quốc Bảo", ["sơ kết", "chính quyền hai cấp"], "meeting", "Quang cảnh hội nghị"),
    (P82, "chuyen-doi-so", "2025-11-04 10:00",
     "Đồng Tháp thí điểm trợ lý ảo hướng dẫn thủ tục hành chính",
     "Trợ lý ảo trả lời câu hỏi về thành phần hồ sơ, lệ phí và thời hạn của các thủ tục thường gặp.",
     ["Câu trả lời dẫn nguồn từ Cơ sở dữ liệu quốc gia về thủ tục hành chính; câu hỏi khó được chuyển "
      "cho công chức trả lời trong ngày làm việc."],
     "Quốc Bảo", "", ["chuyển đổi số", "trợ lý ảo"], "laptop", "Giao diện trợ lý ảo"),
    (P82, "tuyen-truyen-cchc", "2026-01-15 08:30",
     "Tuyên truyền cải cách hành chính năm 2026: gần dân, dễ hiểu",
     "Kế hoạch tuyên truyền năm 2026 ưu tiên video ngắn, tờ gấp tại quầy và chuyên mục trên đài "
     "truyền thanh xã.",
     ["Mỗi xã, phường chọn một thủ tục có nhiều hồ sơ trễ hạn để tuyên truyền trước."],
     "Mỹ Linh", "", ["tuyên truyền"], "", ""),
    (P82, "kiem-tra-cchc", "2026-04-22 16:00",
     "Sở Nội vụ kiểm tra cải cách hành chính tại 12 xã, phường",
     "Đoàn kiểm tra tập trung vào hồ sơ trễ hạn, việc xin lỗi người dân và việc đăng tin cải cách "
     "hành chính.",
     ["Số liệu hồ sơ và hoạt động đăng tin được lấy trực tiếp từ hệ thống, đơn vị không phải lập báo "
      "cáo riêng."],
     "Văn Minh", "Thu Hà", ["kiểm tra"], "meeting", "Đoàn kiểm tra làm việc tại phường"),
    (P82, "tin-hoat-dong", "2026-09-10 09:00",
     "Chỉ số hài lòng của người dân với dịch vụ hành chính tăng",
     "Khảo sát quý III cho thấy 94% người dân hài lòng với thái độ phục vụ tại các điểm một cửa.",
     ["Các ý kiến chưa hài lòng chủ yếu về thời gian chờ vào đầu tuần; tỉnh khuyến khích đặt lịch hẹn "
      "trực tuyến."],
     "Mỹ Linh", "", ["mức độ hài lòng"], "chart", "Kết quả khảo sát quý III"),
    (P82, "tin-hoat-dong", "2026-11-02 08:00",
     "Cải cách hành chính: tỉnh rút ngắn thời gian cấp phiếu lý lịch tư pháp",
     "Thời gian cấp phiếu lý lịch tư pháp trực tuyến giảm còn 5 ngày làm việc nhờ liên thông dữ liệu "
     "dân cư.",
     ["Người dân nhận phiếu bản điện tử trên ứng dụng định danh, có giá trị như bản giấy."],
     "Quốc Bảo", "", ["lý lịch tư pháp", "cải cách hành chính"], "", ""),
    (W_HONG_NGU, "tin-hoat-dong", "2025-07-08 08:00",
     "Phường Hồng Ngự tiếp nhận hồ sơ ngày đầu vận hành",
     "Ngày làm việc đầu tiên, Trung tâm Phục vụ hành chính công phường tiếp nhận 86 hồ sơ, không có "
     "hồ sơ phải trả lại.",
     ["Phường bố trí thêm người hướng dẫn tại cửa ra vào trong tuần đầu."],
     "Bích Trâm", "Thanh Sơn", ["một cửa", "chính quyền hai cấp"], "desk", "Người dân nộp hồ sơ tại phường"),
    (W_HONG_NGU, "tuyen-truyen-cchc", "2025-08-19 09:30",
     "Phường Hồng Ngự ra mắt tổ công nghệ số cộng đồng",
     "Mỗi khu phố có một tổ công nghệ số hỗ trợ người cao tuổi làm thủ tục trực tuyến.",
     ["Tổ gồm đoàn viên thanh niên và công an khu vực, trực vào chiều thứ Bảy hằng tuần."],
     "Bích Trâm", "", ["chuyển đổi số", "tổ công nghệ số"], "", ""),
    (W_HONG_NGU, "tin-hoat-dong", "2025-10-07 15:00",
     "Phường Hồng Ngự gửi thư xin lỗi khi trễ hẹn trả hồ sơ",
     "Phường gửi phiếu xin lỗi và hẹn lại ngày trả cho 3 hồ sơ đất đai trễ hạn trong tháng 9.",
     ["Lãnh đạo phường yêu cầu rà soát hồ sơ sắp đến hạn mỗi sáng để không lặp lại."],
     "Bích Trâm", "", ["trễ hạn", "phiếu xin lỗi"], "", ""),
    (W_HONG_NGU, "chuyen-doi-so", "2026-02-24 10:00",
     "Phường Hồng Ngự trả kết quả hộ tịch bản điện tử",
     "Trích lục khai sinh, kết hôn được trả bản điện tử có chữ ký số bên cạnh bản giấy.",
     ["Bản điện tử được lưu trong kho dữ liệu của người dân trên Cổng dịch vụ công."],
     "Bích Trâm", "Thanh Sơn", ["hộ tịch", "số hóa"], "laptop", "Trả kết quả bản điện tử"),
    (W_HONG_NGU, "tin-hoat-dong", "2026-07-14 08:30",
     "Phường Hồng Ngự một năm vận hành chính quyền hai cấp",
     "Sau một năm, phường giải quyết hơn 11.000 hồ sơ, tỷ lệ đúng hạn 97%.",
     ["Phường đề xuất được phân cấp thêm một số thủ tục về xây dựng để người dân không phải lên tỉnh."],
     "Bích Trâm", "", ["sơ kết", "một cửa"], "building", "Trụ sở phường"),
    (X_TAN_HONG, "tin-hoat-dong", "2025-08-26 09:00",
     "Xã Tân Hồng sắp xếp lại khu vực tiếp nhận hồ sơ",
     "Xã chuyển bộ phận tiếp nhận xuống tầng trệt, thuận tiện cho người cao tuổi và người khuyết tật.",
     ["Xã cũng lắp màn hình hiển thị số thứ tự và bảng niêm yết thủ tục mới."],
     "Kim Ngân", "", ["một cửa"], "", ""),
    (X_TAN_HONG, "tuyen-truyen-cchc", "2026-03-30 08:00",
     "Xã Tân Hồng tuyên truyền thủ tục liên thông khai sinh",
     "Cán bộ tư pháp xã hướng dẫn các gia đình có trẻ mới sinh làm một lần ba thủ tục.",
     ["Hướng dẫn được phát tại trạm y tế xã và qua nhóm tin nhắn của các ấp."],
     "Kim Ngân", "", ["liên thông", "hộ tịch"], "", ""),
    (X_TAM_NONG, "tin-hoat-dong", "2025-09-29 14:00",
     "Xã Tam Nông tiếp nhận hồ sơ trực tuyến tại nhà văn hóa ấp",
     "Xã đặt máy tính tại hai nhà văn hóa ấp để người dân nộp hồ sơ trực tuyến có người hướng dẫn.",
     ["Điểm hỗ trợ mở vào các buổi chiều thứ Tư."],
     "Văn Út", "", ["dịch vụ công trực tuyến"], "", ""),
]

# The images the demo draws with Pillow: key -> (title, background colour, accent colour, motif).
IMAGES = {
    "building": ("Trụ sở Trung tâm Phục vụ hành chính công", (30, 64, 120), (240, 200, 80), "building"),
    "desk": ("Quầy tiếp nhận hồ sơ", (24, 110, 90), (250, 250, 240), "desk"),
    "meeting": ("Hội nghị cải cách hành chính", (120, 30, 40), (250, 220, 120), "meeting"),
    "laptop": ("Nộp hồ sơ trực tuyến", (40, 40, 70), (120, 200, 250), "laptop"),
    "chart": ("Biểu đồ hồ sơ đúng hạn", (245, 245, 240), (30, 100, 160), "chart"),
    "training": ("Lớp tập huấn nghiệp vụ", (70, 90, 40), (250, 240, 200), "meeting"),
}
