<?xml version="1.0" encoding="UTF-8"?>
<!--
  ephyto: UN/CEFACT SPS certificate (IPPC ePhyto hub form)
  -> domestic PhytosanitaryCertificate (urn:swnode:domestic:ephyto:1).

  Input: a document valid against the hub's own schemas
  (schemas/ephyto/hub/driver.xsd) that passes the profile rules
  (profile.sch).  Output: a document valid against domestic.xsd, always.

  The hub's schema allows almost anything (most elements optional, most
  values xs:string), the domestic form is typed.  So every value is checked
  against its domestic type before it is copied, and a value that does not
  fit is left out, not copied invalid: the node lists it in its loss report
  (the received document compared with received -> domestic ->
  international).  An element whose values all were left out is left out
  too; a package or a transport whose required value was left out goes with
  it.  Only what the profile rules guarantee is copied unchecked: the
  certificate number, type, status and issue date.

  Text and codes are passed through normalize-space(), because a received
  document may wrap long values over several lines; an attachment is
  copied as it is (base64 may be wrapped).  Trade line items of all
  IncludedSPSConsignmentItem elements become one flat list of Item, in
  document order.  The field table is in docs/doctypes/ephyto.md.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="urn:swnode:domestic:ephyto:1"
    xmlns:rsm="urn:un:unece:uncefact:data:standard:SPSCertificate:17"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:21"
    exclude-result-prefixes="rsm ram udt">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>

  <!-- The enumeration CountryCode of domestic.xsd (check-ephyto.sh checks
       that the two lists are the same). -->
  <xsl:variable name="countries" select="concat(' ',
      'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL ',
      'BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV ',
      'CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD ',
      'GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM ',
      'IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK ',
      'LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW ',
      'MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR ',
      'PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ',
      'ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY ',
      'UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW ')"/>
  <xsl:variable name="upper" select="'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"/>
  <xsl:variable name="letters" select="concat($upper, 'abcdefghijklmnopqrstuvwxyz')"/>
  <xsl:variable name="base64" select="concat($letters, '0123456789+/=')"/>

  <xsl:template match="/">
    <xsl:apply-templates select="rsm:SPSCertificate"/>
  </xsl:template>

  <xsl:template match="rsm:SPSCertificate">
    <xsl:variable name="doc" select="rsm:SPSExchangedDocument"/>
    <xsl:variable name="con" select="rsm:SPSConsignment"/>
    <PhytosanitaryCertificate>
      <!-- Guaranteed by the profile rules. -->
      <CertificateId><xsl:value-of select="normalize-space($doc/ram:ID)"/></CertificateId>
      <xsl:for-each select="$doc/ram:Name">
        <xsl:call-template name="text"><xsl:with-param name="name" select="'Title'"/></xsl:call-template>
      </xsl:for-each>
      <TypeCode><xsl:value-of select="number(translate($doc/ram:TypeCode, '+', ''))"/></TypeCode>
      <StatusCode><xsl:value-of select="number(translate($doc/ram:StatusCode, '+', ''))"/></StatusCode>
      <IssueDateTime><xsl:value-of select="normalize-space($doc/ram:IssueDateTime/udt:DateTimeString)"/></IssueDateTime>
      <!-- Checked. -->
      <xsl:for-each select="$doc/ram:IssuerSPSParty/ram:Name">
        <xsl:call-template name="text"><xsl:with-param name="name" select="'IssuerName'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:apply-templates select="$doc/ram:IncludedSPSNote"/>
      <xsl:apply-templates select="$doc/ram:ReferenceSPSReferencedDocument"/>
      <xsl:apply-templates select="$doc/ram:SignatorySPSAuthentication"/>
      <xsl:for-each select="$con/ram:ConsignorSPSParty">
        <xsl:call-template name="party"><xsl:with-param name="name" select="'Consignor'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$con/ram:ConsigneeSPSParty">
        <xsl:call-template name="party"><xsl:with-param name="name" select="'Consignee'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$con/ram:ExportSPSCountry">
        <xsl:call-template name="country"><xsl:with-param name="name" select="'ExportCountry'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$con/ram:ImportSPSCountry">
        <xsl:call-template name="country"><xsl:with-param name="name" select="'ImportCountry'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$con/ram:TransitSPSCountry">
        <xsl:call-template name="country"><xsl:with-param name="name" select="'TransitCountry'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$con/ram:UnloadingBaseportSPSLocation">
        <xsl:call-template name="wrap">
          <xsl:with-param name="name" select="'UnloadingPort'"/>
          <xsl:with-param name="content">
            <xsl:for-each select="ram:ID">
              <xsl:variable name="v" select="normalize-space(.)"/>
              <xsl:if test="string-length($v) = 5 and translate(substring($v, 1, 2), $upper, '') = ''
                            and translate(substring($v, 3), concat($upper, '23456789'), '') = ''">
                <Code><xsl:value-of select="$v"/></Code>
              </xsl:if>
            </xsl:for-each>
            <xsl:for-each select="ram:Name">
              <xsl:call-template name="text"><xsl:with-param name="name" select="'Name'"/></xsl:call-template>
            </xsl:for-each>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$con/ram:ExaminationSPSEvent/ram:OccurrenceSPSLocation/ram:Name">
        <xsl:call-template name="text"><xsl:with-param name="name" select="'ExaminationLocation'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:apply-templates select="$con/ram:MainCarriageSPSTransportMovement"/>
      <xsl:apply-templates select="$con/ram:UtilizedSPSTransportEquipment"/>
      <xsl:apply-templates select="$con/ram:IncludedSPSConsignmentItem/ram:IncludedSPSTradeLineItem"/>
    </PhytosanitaryCertificate>
  </xsl:template>

  <!-- ===== SPSExchangedDocument parts ===== -->

  <xsl:template match="ram:IncludedSPSNote">
    <xsl:call-template name="wrap">
      <xsl:with-param name="name" select="'Note'"/>
      <xsl:with-param name="content">
        <xsl:for-each select="ram:Subject">
          <xsl:call-template name="code"><xsl:with-param name="name" select="'Subject'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:Content">
          <xsl:call-template name="text">
            <xsl:with-param name="name" select="'Content'"/>
            <xsl:with-param name="max" select="2000"/>
            <xsl:with-param name="lang" select="true()"/>
          </xsl:call-template>
        </xsl:for-each>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="ram:ReferenceSPSReferencedDocument">
    <xsl:call-template name="wrap">
      <xsl:with-param name="name" select="'ReferencedDocument'"/>
      <xsl:with-param name="content">
        <xsl:for-each select="ram:TypeCode">
          <xsl:call-template name="code"><xsl:with-param name="name" select="'TypeCode'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:RelationshipTypeCode">
          <xsl:call-template name="code"><xsl:with-param name="name" select="'RelationshipCode'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:ID">
          <xsl:call-template name="text"><xsl:with-param name="name" select="'DocumentId'"/></xsl:call-template>
        </xsl:for-each>
        <!-- Its IssueDateTime is xs:anyType in the hub's schema: published
             samples also write the date directly in it. -->
        <xsl:for-each select="ram:IssueDateTime/udt:DateTimeString[1] | ram:IssueDateTime[not(*)]">
          <xsl:call-template name="date"><xsl:with-param name="name" select="'IssueDateTime'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:Information">
          <xsl:call-template name="text">
            <xsl:with-param name="name" select="'Information'"/>
            <xsl:with-param name="max" select="2000"/>
            <xsl:with-param name="lang" select="true()"/>
          </xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:AttachmentBinaryObject">
          <xsl:variable name="ok">
            <xsl:call-template name="base64-ok">
              <xsl:with-param name="s" select="translate(., ' &#9;&#10;&#13;', '')"/>
            </xsl:call-template>
          </xsl:variable>
          <xsl:if test="$ok = 'y'">
            <Attachment>
              <xsl:for-each select="@filename">
                <xsl:variable name="fn" select="normalize-space(.)"/>
                <xsl:if test="$fn != '' and string-length($fn) &lt;= 255 and translate($fn, '/\:*?&quot;&lt;&gt;|', '') = $fn">
                  <xsl:attribute name="filename"><xsl:value-of select="$fn"/></xsl:attribute>
                </xsl:if>
              </xsl:for-each>
              <xsl:value-of select="."/>
            </Attachment>
          </xsl:if>
        </xsl:for-each>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="ram:SignatorySPSAuthentication">
    <xsl:call-template name="wrap">
      <xsl:with-param name="name" select="'Signatory'"/>
      <xsl:with-param name="content">
        <xsl:for-each select="ram:ActualDateTime/udt:DateTimeString">
          <xsl:call-template name="date"><xsl:with-param name="name" select="'SignedDateTime'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:IssueSPSLocation/ram:Name">
          <xsl:call-template name="text"><xsl:with-param name="name" select="'SignedAt'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:ProviderSPSParty/ram:Name">
          <xsl:call-template name="text"><xsl:with-param name="name" select="'AuthorityName'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:ProviderSPSParty/ram:SpecifiedSPSPerson/ram:Name">
          <xsl:call-template name="text"><xsl:with-param name="name" select="'OfficerName'"/></xsl:call-template>
        </xsl:for-each>
        <!-- ID is an xs:int the hub requires: it always fits. -->
        <xsl:for-each select="ram:IncludedSPSClause">
          <Clause>
            <Id><xsl:value-of select="normalize-space(ram:ID)"/></Id>
            <xsl:for-each select="ram:Content">
              <xsl:call-template name="text">
                <xsl:with-param name="name" select="'Text'"/>
                <xsl:with-param name="max" select="2000"/>
              </xsl:call-template>
            </xsl:for-each>
          </Clause>
        </xsl:for-each>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- ===== SPSConsignment parts ===== -->

  <xsl:template name="party">
    <xsl:param name="name"/>
    <xsl:call-template name="wrap">
      <xsl:with-param name="name" select="$name"/>
      <xsl:with-param name="content">
        <xsl:for-each select="ram:Name">
          <xsl:call-template name="text"><xsl:with-param name="name" select="'Name'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:TypeCode">
          <xsl:call-template name="code"><xsl:with-param name="name" select="'TypeCode'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:SpecifiedSPSAddress">
          <xsl:call-template name="wrap">
            <xsl:with-param name="name" select="'Address'"/>
            <xsl:with-param name="content">
              <xsl:for-each select="ram:LineOne | ram:LineTwo | ram:LineThree | ram:LineFour | ram:LineFive">
                <xsl:call-template name="text"><xsl:with-param name="name" select="'Line'"/></xsl:call-template>
              </xsl:for-each>
            </xsl:with-param>
          </xsl:call-template>
        </xsl:for-each>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- Country, ID and Name (and Region for an origin). -->
  <xsl:template name="country">
    <xsl:param name="name"/>
    <xsl:call-template name="wrap">
      <xsl:with-param name="name" select="$name"/>
      <xsl:with-param name="content">
        <xsl:for-each select="ram:ID">
          <xsl:variable name="v" select="normalize-space(.)"/>
          <xsl:if test="string-length($v) = 2 and contains($countries, concat(' ', $v, ' '))">
            <Code><xsl:value-of select="$v"/></Code>
          </xsl:if>
        </xsl:for-each>
        <xsl:for-each select="ram:Name">
          <xsl:call-template name="text"><xsl:with-param name="name" select="'Name'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:SubordinateSPSCountrySubDivision">
          <xsl:call-template name="wrap">
            <xsl:with-param name="name" select="'Region'"/>
            <xsl:with-param name="content">
              <xsl:for-each select="ram:Name">
                <xsl:call-template name="text"><xsl:with-param name="name" select="'Name'"/></xsl:call-template>
              </xsl:for-each>
              <xsl:for-each select="ram:HierarchicalLevelCode">
                <xsl:call-template name="code"><xsl:with-param name="name" select="'LevelCode'"/></xsl:call-template>
              </xsl:for-each>
            </xsl:with-param>
          </xsl:call-template>
        </xsl:for-each>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- ModeCode is an xs:int the hub requires: it always fits. -->
  <xsl:template match="ram:MainCarriageSPSTransportMovement">
    <Transport>
      <xsl:for-each select="ram:ID">
        <xsl:call-template name="text"><xsl:with-param name="name" select="'Reference'"/></xsl:call-template>
      </xsl:for-each>
      <ModeCode><xsl:value-of select="normalize-space(ram:ModeCode)"/></ModeCode>
      <xsl:for-each select="ram:UsedSPSTransportMeans/ram:Name">
        <xsl:call-template name="text"><xsl:with-param name="name" select="'MeansName'"/></xsl:call-template>
      </xsl:for-each>
    </Transport>
  </xsl:template>

  <!-- The hub's schema declares both IDs without a namespace. -->
  <xsl:template match="ram:UtilizedSPSTransportEquipment">
    <xsl:call-template name="wrap">
      <xsl:with-param name="name" select="'TransportEquipment'"/>
      <xsl:with-param name="content">
        <xsl:for-each select="ID">
          <xsl:call-template name="text"><xsl:with-param name="name" select="'EquipmentId'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:AffixedSPSSeal/ID">
          <xsl:call-template name="text"><xsl:with-param name="name" select="'SealId'"/></xsl:call-template>
        </xsl:for-each>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- ===== IncludedSPSTradeLineItem ===== -->

  <!-- SequenceNumeric is an xs:int the hub requires: it always fits. -->
  <xsl:template match="ram:IncludedSPSTradeLineItem">
    <Item>
      <SequenceNumber><xsl:value-of select="normalize-space(ram:SequenceNumeric)"/></SequenceNumber>
      <xsl:for-each select="ram:Description">
        <xsl:call-template name="text">
          <xsl:with-param name="name" select="'Description'"/>
          <xsl:with-param name="max" select="512"/>
          <xsl:with-param name="lang" select="true()"/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="ram:CommonName">
        <xsl:call-template name="text">
          <xsl:with-param name="name" select="'CommonName'"/>
          <xsl:with-param name="lang" select="true()"/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="ram:ScientificName">
        <xsl:call-template name="text">
          <xsl:with-param name="name" select="'ScientificName'"/>
          <xsl:with-param name="lang" select="true()"/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="ram:IntendedUse">
        <xsl:call-template name="text">
          <xsl:with-param name="name" select="'IntendedUse'"/>
          <xsl:with-param name="lang" select="true()"/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="ram:NetWeightMeasure">
        <xsl:call-template name="measure"><xsl:with-param name="name" select="'NetWeight'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="ram:GrossWeightMeasure">
        <xsl:call-template name="measure"><xsl:with-param name="name" select="'GrossWeight'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="ram:NetVolumeMeasure">
        <xsl:call-template name="measure"><xsl:with-param name="name" select="'NetVolume'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="ram:GrossVolumeMeasure">
        <xsl:call-template name="measure"><xsl:with-param name="name" select="'GrossVolume'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="ram:AdditionalInformationSPSNote">
        <xsl:call-template name="wrap">
          <xsl:with-param name="name" select="'Note'"/>
          <xsl:with-param name="content">
            <xsl:for-each select="ram:Subject">
              <xsl:call-template name="code"><xsl:with-param name="name" select="'Subject'"/></xsl:call-template>
            </xsl:for-each>
            <xsl:for-each select="ram:Content">
              <xsl:call-template name="text">
                <xsl:with-param name="name" select="'Content'"/>
                <xsl:with-param name="max" select="2000"/>
                <xsl:with-param name="lang" select="true()"/>
              </xsl:call-template>
            </xsl:for-each>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="ram:ApplicableSPSClassification">
        <xsl:call-template name="wrap">
          <xsl:with-param name="name" select="'Classification'"/>
          <xsl:with-param name="content">
            <xsl:for-each select="ram:SystemName">
              <xsl:call-template name="code"><xsl:with-param name="name" select="'SystemName'"/></xsl:call-template>
            </xsl:for-each>
            <xsl:for-each select="ram:ClassCode">
              <xsl:call-template name="text">
                <xsl:with-param name="name" select="'ClassCode'"/>
                <xsl:with-param name="max" select="70"/>
              </xsl:call-template>
            </xsl:for-each>
            <xsl:for-each select="ram:ClassName">
              <xsl:call-template name="text">
                <xsl:with-param name="name" select="'ClassName'"/>
                <xsl:with-param name="lang" select="true()"/>
              </xsl:call-template>
            </xsl:for-each>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <!-- LevelCode is an xs:int the hub requires; a package whose quantity
           does not fit goes with it. -->
      <xsl:for-each select="ram:PhysicalSPSPackage">
        <xsl:variable name="q" select="normalize-space(ram:ItemQuantity)"/>
        <xsl:variable name="ok">
          <xsl:call-template name="decimal-ok"><xsl:with-param name="v" select="$q"/></xsl:call-template>
        </xsl:variable>
        <xsl:if test="$ok = 'y' and number($q) &gt; 0">
          <Package>
            <LevelCode><xsl:value-of select="normalize-space(ram:LevelCode)"/></LevelCode>
            <xsl:for-each select="ram:TypeCode">
              <xsl:call-template name="code"><xsl:with-param name="name" select="'TypeCode'"/></xsl:call-template>
            </xsl:for-each>
            <Quantity><xsl:value-of select="$q"/></Quantity>
          </Package>
        </xsl:if>
      </xsl:for-each>
      <xsl:for-each select="ram:OriginSPSCountry">
        <xsl:call-template name="country"><xsl:with-param name="name" select="'OriginCountry'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:apply-templates select="ram:AppliedSPSProcess"/>
    </Item>
  </xsl:template>

  <xsl:template match="ram:AppliedSPSProcess">
    <xsl:call-template name="wrap">
      <xsl:with-param name="name" select="'Treatment'"/>
      <xsl:with-param name="content">
        <xsl:for-each select="ram:TypeCode">
          <xsl:call-template name="code"><xsl:with-param name="name" select="'TypeCode'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:CompletionSPSPeriod/ram:StartDateTime/udt:DateTimeString">
          <xsl:call-template name="date"><xsl:with-param name="name" select="'StartDateTime'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:CompletionSPSPeriod/ram:EndDateTime/udt:DateTimeString">
          <xsl:call-template name="date"><xsl:with-param name="name" select="'EndDateTime'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:CompletionSPSPeriod/ram:DurationMeasure">
          <xsl:call-template name="measure"><xsl:with-param name="name" select="'Duration'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="ram:ApplicableSPSProcessCharacteristic">
          <xsl:call-template name="wrap">
            <xsl:with-param name="name" select="'Characteristic'"/>
            <xsl:with-param name="content">
              <xsl:for-each select="ram:Description">
                <xsl:call-template name="text">
                  <xsl:with-param name="name" select="'Description'"/>
                  <xsl:with-param name="max" select="512"/>
                  <xsl:with-param name="lang" select="true()"/>
                </xsl:call-template>
              </xsl:for-each>
              <xsl:for-each select="ram:ValueMeasure">
                <xsl:call-template name="measure"><xsl:with-param name="name" select="'Value'"/></xsl:call-template>
              </xsl:for-each>
            </xsl:with-param>
          </xsl:call-template>
        </xsl:for-each>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- ===== Value helpers: each writes its domestic element only if the
       value (of the current element) fits the domestic type ===== -->

  <!-- An element holding content, written only if it holds something:
       every element this map writes has text, so a content with no text
       is empty. -->
  <xsl:template name="wrap">
    <xsl:param name="name"/>
    <xsl:param name="content"/>
    <xsl:if test="string($content) != ''">
      <xsl:element name="{$name}"><xsl:copy-of select="$content"/></xsl:element>
    </xsl:if>
  </xsl:template>

  <!-- Text (TextBase, at most max characters), with @languageID as
       @language where lang is true and the value is an xs:language. -->
  <xsl:template name="text">
    <xsl:param name="name"/>
    <xsl:param name="max" select="256"/>
    <xsl:param name="lang" select="false()"/>
    <xsl:variable name="v" select="normalize-space(.)"/>
    <xsl:if test="$v != '' and string-length($v) &lt;= $max">
      <xsl:element name="{$name}">
        <xsl:if test="$lang and @languageID">
          <xsl:variable name="l" select="normalize-space(@languageID)"/>
          <xsl:variable name="ok">
            <xsl:call-template name="language-ok"><xsl:with-param name="s" select="$l"/></xsl:call-template>
          </xsl:variable>
          <xsl:if test="$ok = 'y'">
            <xsl:attribute name="language"><xsl:value-of select="$l"/></xsl:attribute>
          </xsl:if>
        </xsl:if>
        <xsl:value-of select="$v"/>
      </xsl:element>
    </xsl:if>
  </xsl:template>

  <!-- A code of an open list (CodeType): one word, at most 35 characters. -->
  <xsl:template name="code">
    <xsl:param name="name"/>
    <xsl:variable name="v" select="normalize-space(.)"/>
    <xsl:if test="$v != '' and not(contains($v, ' ')) and string-length($v) &lt;= 35">
      <xsl:element name="{$name}"><xsl:value-of select="$v"/></xsl:element>
    </xsl:if>
  </xsl:template>

  <!-- A measure (MeasureType): a non-negative decimal of at most 18
       digits with a unitCode (CodeType); the hub's xs:double also allows
       exponents, signs, INF and NaN, and leaves the unit out. -->
  <xsl:template name="measure">
    <xsl:param name="name"/>
    <xsl:variable name="v" select="normalize-space(.)"/>
    <xsl:variable name="u" select="normalize-space(@unitCode)"/>
    <xsl:variable name="ok">
      <xsl:call-template name="decimal-ok"><xsl:with-param name="v" select="$v"/></xsl:call-template>
    </xsl:variable>
    <xsl:if test="$ok = 'y' and $u != '' and not(contains($u, ' ')) and string-length($u) &lt;= 35">
      <xsl:element name="{$name}">
        <xsl:attribute name="unitCode"><xsl:value-of select="$u"/></xsl:attribute>
        <xsl:value-of select="$v"/>
      </xsl:element>
    </xsl:if>
  </xsl:template>

  <!-- Digits with at most one point, at least one and at most 18 digits. -->
  <xsl:template name="decimal-ok">
    <xsl:param name="v"/>
    <xsl:variable name="digits" select="string-length(translate($v, '.', ''))"/>
    <xsl:if test="translate($v, '0123456789.', '') = '' and $digits &gt;= 1 and $digits &lt;= 18
                  and string-length($v) - $digits &lt;= 1">y</xsl:if>
  </xsl:template>

  <!-- A date or date-time (DateOrDateTimeType), the text of the current
       element (a udt:DateTimeString, or an IssueDateTime written without
       one). -->
  <xsl:template name="date">
    <xsl:param name="name"/>
    <xsl:variable name="v" select="normalize-space(.)"/>
    <xsl:variable name="ok">
      <xsl:call-template name="date-ok"><xsl:with-param name="d" select="$v"/></xsl:call-template>
    </xsl:variable>
    <xsl:if test="$ok = 'y'">
      <xsl:element name="{$name}"><xsl:value-of select="$v"/></xsl:element>
    </xsl:if>
  </xsl:template>

  <!-- 'y' if d is YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.f], either with an
       optional zone (Z, +hh:mm, -hh:mm), and a real date and time: the part
       of xs:date and xs:dateTime that real certificates use.  profile.sch
       checks the issue date with the same expressions. -->
  <xsl:template name="date-ok">
    <xsl:param name="d"/>
    <xsl:variable name="m" select="translate($d, '0123456789', '0000000000')"/>
    <xsl:variable name="y" select="number(substring($d, 1, 4))"/>
    <xsl:variable name="mo" select="number(substring($d, 6, 2))"/>
    <xsl:variable name="da" select="number(substring($d, 9, 2))"/>
    <xsl:variable name="t" select="substring($d, 11, 1) = 'T'"/>
    <xsl:variable name="r" select="substring($d, 20)"/>
    <xsl:variable name="fr" select="$t and starts-with($r, '.')"/>
    <xsl:variable name="f" select="substring-before(concat(translate(substring($r, 2), 'Z+-', '###'), '#'), '#')"/>
    <xsl:variable name="z" select="concat(substring(substring($d, 11), 1 div not($t)),
                                          substring($r, 1 div ($t and not($fr))),
                                          substring(substring($r, string-length($f) + 2), 1 div $fr))"/>
    <xsl:variable name="zm" select="translate($z, '0123456789', '0000000000')"/>
    <xsl:if test="substring($m, 1, 10) = '0000-00-00' and $y &gt;= 1 and $mo &gt;= 1 and $mo &lt;= 12 and $da &gt;= 1
                  and ($da &lt;= 28 or ($mo != 2 and $da &lt;= 30)
                       or ($da = 31 and ($mo = 1 or $mo = 3 or $mo = 5 or $mo = 7 or $mo = 8 or $mo = 10 or $mo = 12))
                       or ($mo = 2 and $da = 29 and (($y mod 4 = 0 and $y mod 100 != 0) or $y mod 400 = 0)))
                  and (not($t) or (substring($m, 11, 9) = 'T00:00:00' and number(substring($d, 12, 2)) &lt;= 23
                                   and number(substring($d, 15, 2)) &lt;= 59 and number(substring($d, 18, 2)) &lt;= 59))
                  and (not($fr) or ($f != '' and translate($f, '0123456789', '') = ''))
                  and ($z = '' or $z = 'Z'
                       or (($zm = '+00:00' or $zm = '-00:00') and number(substring($z, 5, 2)) &lt;= 59
                           and (number(substring($z, 2, 2)) &lt; 14 or $z = '+14:00' or $z = '-14:00')))">y</xsl:if>
  </xsl:template>

  <!-- 'y' if s is an xs:language: letters (1-8), then -letters/digits (1-8)... -->
  <xsl:template name="language-ok">
    <xsl:param name="s"/>
    <xsl:param name="first" select="true()"/>
    <xsl:variable name="part" select="substring-before(concat($s, '-'), '-')"/>
    <xsl:variable name="chars" select="concat($letters, substring('0123456789', 1, 10 * not($first)))"/>
    <xsl:if test="string-length($part) &gt;= 1 and string-length($part) &lt;= 8 and translate($part, $chars, '') = ''">
      <xsl:choose>
        <xsl:when test="contains($s, '-')">
          <xsl:call-template name="language-ok">
            <xsl:with-param name="s" select="substring-after($s, '-')"/>
            <xsl:with-param name="first" select="false()"/>
          </xsl:call-template>
        </xsl:when>
        <xsl:otherwise>y</xsl:otherwise>
      </xsl:choose>
    </xsl:if>
  </xsl:template>

  <!-- 'y' if s (white space removed) is base64 as xs:base64Binary has it:
       groups of four, padding only at the end, and the unused bits of the
       last character before padding zero; at most 10 MiB decoded. -->
  <xsl:template name="base64-ok">
    <xsl:param name="s"/>
    <xsl:variable name="n" select="string-length($s)"/>
    <xsl:variable name="last2" select="substring($s, $n - 1, 2)"/>
    <xsl:if test="$n &gt; 0 and $n mod 4 = 0 and $n div 4 * 3 &lt;= 10485760
                  and translate($s, $base64, '') = ''
                  and not(contains(substring($s, 1, $n - 2), '='))
                  and (substring($last2, 1, 1) != '=' or $last2 = '==')
                  and ($last2 != '==' or contains('AQgw', substring($s, $n - 2, 1)))
                  and (substring($last2, 2, 1) != '=' or $last2 = '==' or contains('AEIMQUYcgkosw048', substring($s, $n - 1, 1)))">y</xsl:if>
  </xsl:template>

</xsl:stylesheet>
